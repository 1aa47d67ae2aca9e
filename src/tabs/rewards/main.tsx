import { Title2 } from '@fluentui/react-components';
import { mountTab } from '../shared/shell.js';

mountTab('Rewards', <Title2 as="h1">Rewards</Title2>);
