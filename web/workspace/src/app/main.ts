//! Entry point: Pinia, the router and i18n, then mount.

import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { listenForShortcuts } from './keyboard/registry';
import { i18n } from './i18n';
import { createAppRouter } from './router';
import './theme.css';

const app = createApp(App);
app.use(createPinia());
app.use(i18n);
app.use(createAppRouter());
listenForShortcuts();
app.mount('#app');
