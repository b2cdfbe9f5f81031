export { default } from '../../app/views/SettingsView';
