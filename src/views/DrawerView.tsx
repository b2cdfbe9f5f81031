export { default } from '../../app/views/DrawerView';
