// Entry of frame.html, the chat UI. Language: the `locale` URL parameter (set by the loader from
// data-locale), else the browser's.

import { browserLanguages, chooseLocale, translator } from '../i18n';
import { App } from './app';
import { HostChannel } from './embed';
import './styles.css';

const params = new URLSearchParams(location.search);
const locale = chooseLocale(params.get('locale'), browserLanguages());
const root = document.getElementById('app');
if (root) void new App(root, translator(locale), locale, new HostChannel(params)).start();
