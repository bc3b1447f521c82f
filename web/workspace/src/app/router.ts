//! Routes under /app/. Each route names the i18n feature it needs and the lowest role allowed;
//! the guard restores the session from the stored token, sends strangers to the login screen and
//! under-privileged users to a 403 page.

import { createRouter, createWebHistory, type RouteLocationRaw, type RouteRecordRaw } from 'vue-router';
import type { Role } from '../api/types';
import { useSessionStore } from '../stores/session';
import { loadFeatures, type Feature } from './i18n';

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean;
    feature?: Feature;
    minRole?: Role;
    /** i18n key of the page title. */
    title?: string;
  }
}

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('../features/auth/LoginView.vue'),
    meta: { public: true, feature: 'auth', title: 'auth.title' },
  },
  {
    path: '/',
    component: () => import('./AppLayout.vue'),
    meta: { feature: 'agent', minRole: 'agent' },
    children: [
      {
        path: '',
        name: 'agent',
        component: () => import('../features/agent/AgentWorkspace.vue'),
        meta: { title: 'common.nav.workspace' },
      },
      {
        path: 'supervisor',
        name: 'supervisor',
        component: () => import('../features/supervisor/SupervisorView.vue'),
        meta: { feature: 'supervisor', minRole: 'supervisor', title: 'common.nav.supervisor' },
      },
      {
        path: 'admin',
        component: () => import('../features/admin/AdminLayout.vue'),
        meta: { feature: 'admin', minRole: 'admin', title: 'common.nav.admin' },
        children: [
          { path: '', redirect: { name: 'admin-agents' } },
          { path: 'agents', name: 'admin-agents', component: () => import('../features/admin/AgentsAdmin.vue') },
          { path: 'groups', name: 'admin-groups', component: () => import('../features/admin/GroupsAdmin.vue') },
          {
            path: 'business-types',
            name: 'admin-business-types',
            component: () => import('../features/admin/BusinessTypesAdmin.vue'),
          },
          {
            path: 'wrap-up-codes',
            name: 'admin-wrap-up-codes',
            component: () => import('../features/admin/WrapUpCodesAdmin.vue'),
          },
          { path: 'widgets', name: 'admin-widgets', component: () => import('../features/admin/WidgetsAdmin.vue') },
          { path: 'api-keys', name: 'admin-api-keys', component: () => import('../features/admin/ApiKeysAdmin.vue') },
          { path: 'webhooks', name: 'admin-webhooks', component: () => import('../features/admin/WebhooksAdmin.vue') },
        ],
      },
      {
        path: 'forbidden',
        name: 'forbidden',
        component: () => import('./ForbiddenView.vue'),
        meta: { title: 'common.forbidden.title' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./NotFoundView.vue'),
        meta: { title: 'common.notFound.title' },
      },
    ],
  },
];

/** Where a user lands after signing in without a `redirect`. */
export function homeFor(role: Role | undefined): RouteLocationRaw {
  if (role === 'admin') return { name: 'admin-agents' };
  if (role === 'supervisor') return { name: 'supervisor' };
  return { name: 'agent' };
}

export function createAppRouter() {
  const router = createRouter({ history: createWebHistory('/app/'), routes });

  router.beforeEach(async (to) => {
    const features = new Set<Feature>(['common']);
    for (const r of to.matched) if (r.meta.feature) features.add(r.meta.feature);
    await loadFeatures([...features]);

    const session = useSessionStore();
    if (to.meta.public) {
      if (to.name === 'login' && (await session.restore())) return homeFor(session.role);
      return true;
    }
    if (!(await session.restore())) {
      return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
    }
    for (const r of to.matched) {
      if (r.meta.minRole && !session.can(r.meta.minRole)) {
        return { name: 'forbidden', query: { from: to.fullPath } };
      }
    }
    return true;
  });

  return router;
}
