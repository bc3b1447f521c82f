// Entry of frame.html, the chat UI. Language: the `locale` URL parameter (set by the loader from
// data-locale), else the browser's. Which widget's settings: the `widget` parameter (data-widget),
// else `default`.

import { browserLanguages, chooseLocale, translator } from '../i18n';
import { App } from './app';
import { HostChannel } from './embed';
import { widgetName } from '../shared/widget-name';
import './styles.css';

const params = new URLSearchParams(location.search);
const locale = chooseLocale(params.get('locale'), browserLanguages());
const root = document.getElementById('app');
if (root) void new App(root, translator(locale), locale, new HostChannel(params), widgetName(params.get('widget'))).start();
