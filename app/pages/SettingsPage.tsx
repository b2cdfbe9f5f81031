import { useEffect, useState } from 'react';
import { Box, Checkbox, SettingsView, Switch, TextField } from '@stripe/ui-extension-sdk/ui';
import { REPORT_FAMILIES } from '../../shared/report-families';
import { Loading, LoadError } from '../components/States';
import { useSettings } from '../hooks/useSettings';

/** Reporting timezone, history start, which reports to run, and pausing sync. */
export const SettingsPage = () => {
  const { loading, error, data, reload, save, setPaused, message, saveError, saving } = useSettings();
  const [families, setFamilies] = useState<string[]>([]);
  useEffect(() => setFamilies(data?.report_families ?? []), [data]);
  if (loading && !data)
    return (
      <SettingsView>
        <Loading what="settings" />
      </SettingsView>
    );
  if (error || !data)
    return (
      <SettingsView>
        <LoadError message={error ?? 'No settings'} onRetry={reload} />
      </SettingsView>
    );
  return (
    <SettingsView
      statusMessage={saving ? 'Saving…' : saveError ? 'Not saved' : (message ?? undefined)}
      onSave={(values) =>
        void save({
          reporting_timezone: values.reporting_timezone ?? data.reporting_timezone,
          history_since: values.history_since ? values.history_since : null,
          report_families: families,
        })
      }
    >
      <Box css={{ stack: 'y', gap: 'medium' }}>
        {saveError ? <Box css={{ color: 'critical' }}>{saveError}</Box> : null}
        <TextField
          name="reporting_timezone"
          label="Reporting time zone"
          defaultValue={data.reporting_timezone}
          description="An IANA time zone such as Europe/Berlin; reports are run in it."
        />
        <TextField
          name="history_since"
          label="Import history from"
          defaultValue={data.history_since ?? ''}
          description="A date like 2025-01-31; leave empty to import everything."
        />
        <Box css={{ stack: 'y', gap: 'xsmall' }}>
          {REPORT_FAMILIES.map((f) => (
            <Checkbox
              key={f.family}
              label={`${f.group}: ${f.family}`}
              checked={families.includes(f.family)}
              onChange={(e) => setFamilies((now) => (e.target.checked ? [...now, f.family] : now.filter((x) => x !== f.family)))}
            />
          ))}
        </Box>
        <Switch label="Pause sync" checked={data.paused} onChange={(e) => void setPaused(e.target.checked)} />
      </Box>
    </SettingsView>
  );
};
