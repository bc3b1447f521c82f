//! Routes under /app/. Each route names the i18n feature it needs and the lowest role allowed;
//! the guard restores the session from the stored token, sends strangers to the login screen and
//! under-privileged users to a 403 page. A user with a one-time password is kept on the password
//! screen (/app/password) until they have set their own.

import {
  createRouter,
  createWebHistory,
  type LocationQuery,
  type RouteLocationRaw,
  type RouteRecordRaw,
  type RouterHistory,
} from 'vue-router';
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
    /** More i18n features the page needs before it renders. */
    features?: Feature[];
    /** Full screen: the shell's header is hidden (the wallboard on a wall display). */
    bare?: boolean;
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
    // Full page, outside the shell: the shell's socket and snapshots are refused until it is done.
    path: '/password',
    name: 'password',
    component: () => import('../features/auth/PasswordView.vue'),
    meta: { feature: 'auth', title: 'common.password.title' },
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
        path: 'canned',
        name: 'canned',
        component: () => import('../features/canned/CannedPage.vue'),
        meta: { title: 'common.nav.canned' },
      },
      {
        path: 'qa',
        component: () => import('../features/qa/QaLayout.vue'),
        meta: { feature: 'qa', title: 'common.nav.qa' },
        children: [
          { path: '', redirect: { name: 'qa-mine' } },
          { path: 'mine', name: 'qa-mine', component: () => import('../features/qa/MyResults.vue') },
          { path: 'queue', name: 'qa-queue', component: () => import('../features/qa/QueueView.vue') },
          { path: 'conversations/:id', name: 'qa-conversation', component: () => import('../features/qa/ConversationReview.vue') },
          { path: 'appeals', name: 'qa-appeals', component: () => import('../features/qa/AppealsView.vue') },
          { path: 'report', name: 'qa-report', component: () => import('../features/qa/ReportView.vue') },
          {
            path: 'settings',
            name: 'qa-settings',
            component: () => import('../features/qa/QaSettings.vue'),
            meta: { minRole: 'admin' },
          },
        ],
      },
      {
        path: 'search',
        name: 'search',
        component: () => import('../features/search/SearchPage.vue'),
        meta: { feature: 'search', title: 'common.nav.search' },
      },
      {
        path: 'supervisor',
        name: 'supervisor',
        component: () => import('../features/supervisor/SupervisorView.vue'),
        meta: { feature: 'supervisor', features: ['wallboard'], minRole: 'supervisor', title: 'common.nav.supervisor' },
      },
      {
        path: 'wallboard',
        name: 'wallboard',
        component: () => import('../features/wallboard/WallboardView.vue'),
        meta: { feature: 'wallboard', minRole: 'supervisor', title: 'wallboard.title', bare: true },
      },
      {
        path: 'planning',
        name: 'planning',
        component: () => import('../features/planning/PlanningView.vue'),
        meta: { feature: 'planning', minRole: 'supervisor', title: 'common.nav.planning' },
      },
      {
        path: 'reports',
        name: 'reports',
        component: () => import('../features/reports/ReportsView.vue'),
        meta: { feature: 'reports', minRole: 'supervisor', title: 'common.nav.reports' },
      },
      {
        path: 'maturity',
        name: 'maturity',
        component: () => import('../features/maturity/MaturityView.vue'),
        meta: { feature: 'maturity', minRole: 'supervisor', title: 'common.nav.maturity' },
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
          {
            path: 'canned-responses',
            name: 'admin-canned-responses',
            component: () => import('../features/admin/CannedResponsesAdmin.vue'),
          },
          {
            path: 'alert-thresholds',
            name: 'admin-alert-thresholds',
            component: () => import('../features/wallboard/AlertThresholdsAdmin.vue'),
            meta: { feature: 'wallboard' },
          },
          { path: 'tags', name: 'admin-tags', component: () => import('../features/admin/TagsAdmin.vue') },
          { path: 'settings', name: 'admin-settings', component: () => import('../features/admin/OrgSettingsAdmin.vue') },
          { path: 'widgets', name: 'admin-widgets', component: () => import('../features/admin/WidgetsAdmin.vue') },
          { path: 'api-keys', name: 'admin-api-keys', component: () => import('../features/admin/ApiKeysAdmin.vue') },
          { path: 'webhooks', name: 'admin-webhooks', component: () => import('../features/admin/WebhooksAdmin.vue') },
          { path: 'audit-log', name: 'admin-audit-log', component: () => import('../features/admin/AuditLogAdmin.vue') },
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

/** The `redirect` query when it is a path inside the app; never an absolute URL from the query. */
export function safeRedirect(query: LocationQuery): string | null {
  const r = query.redirect;
  return typeof r === 'string' && r.startsWith('/') && !r.startsWith('//') ? r : null;
}

/** Where the user goes next: the `redirect` they were headed for, else their start page. */
export function nextFor(query: LocationQuery, role: Role | undefined): RouteLocationRaw {
  return safeRedirect(query) ?? homeFor(role);
}

/** The password screen, remembering where the user was going (unless it was the start page). */
function passwordScreen(fullPath: string): RouteLocationRaw {
  return { name: 'password', query: fullPath === '/' || fullPath.startsWith('/password') ? {} : { redirect: fullPath } };
}

export function createAppRouter(history: RouterHistory = createWebHistory('/app/')) {
  const router = createRouter({ history, routes });

  router.beforeEach(async (to) => {
    // `notes` (internal notes, notifications, tags) is used by the shell's header on every page;
    // `errors` translates the server's error codes wherever a failure is shown.
    const features = new Set<Feature>(['common', 'errors', 'notes']);
    for (const r of to.matched) {
      if (r.meta.feature) features.add(r.meta.feature);
      for (const f of r.meta.features ?? []) features.add(f);
    }
    await loadFeatures([...features]);

    const session = useSessionStore();
    if (to.meta.public) {
      if (to.name === 'login' && (await session.restore())) {
        return session.mustChangePassword ? passwordScreen('/') : homeFor(session.role);
      }
      return true;
    }
    if (!(await session.restore())) {
      return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
    }
    if (to.name === 'password') return true;
    if (session.mustChangePassword) return passwordScreen(to.fullPath);
    for (const r of to.matched) {
      if (r.meta.minRole && !session.can(r.meta.minRole)) {
        return { name: 'forbidden', query: { from: to.fullPath } };
      }
    }
    return true;
  });

  return router;
}
