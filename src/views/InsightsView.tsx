export { default } from '../../app/views/InsightsView';
