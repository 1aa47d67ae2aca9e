import { Title2 } from '@fluentui/react-components';
import { mountTab } from '../shared/shell.js';

mountTab('Console', <Title2 as="h1">Console</Title2>);
