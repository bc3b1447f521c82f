import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_KEY_SCOPES, CHANNELS, FIELD_KINDS, RETURNING_BY, STRATEGIES, WEBHOOK_EVENTS } from '../api/types';
import { AWAY_REASONS, SYSTEM_AWAY_REASONS } from '../stores/agentStatus';
import { CANNED_VARIABLES } from '../features/canned/variables';
import { detectLocale, i18n, loadFeatures, setLocale } from './i18n';

type Tree = { [k: string]: string | Tree };

const files = import.meta.glob<Tree>('../locales/*/*.json', { eager: true, import: 'default' });
const sources = import.meta.glob<string>(['../**/*.vue', '../**/*.ts', '!../**/*.test.ts'], {
  eager: true,
  query: '?raw',
  import: 'default',
});

function bundle(locale: string): Tree {
  const out: Tree = {};
  for (const [path, tree] of Object.entries(files)) {
    const m = /locales\/([^/]+)\/([^/]+)\.json$/.exec(path)!;
    if (m[1] === locale) out[m[2]!] = tree;
  }
  return out;
}

function flatten(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [prefix + k] : flatten(v, `${prefix}${k}.`),
  );
}

const en = new Set(flatten(bundle('en')));
const zh = new Set(flatten(bundle('zh-CN')));

describe('locales', () => {
  it('zh-CN and en have exactly the same keys', () => {
    expect([...zh].filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !zh.has(k))).toEqual([]);
  });

  it('every key the code names exists', () => {
    const used = new Set<string>();
    const patterns = [
      /\bt\(\s*'([a-z][A-Za-z]*\.[A-Za-z0-9_.]+)'/g,
      /(?:descriptionKey|label|title):\s*'((?:common|agent|auth|supervisor|admin|notes)\.[A-Za-z0-9_.]+)'/g,
    ];
    for (const src of Object.values(sources)) {
      for (const re of patterns) for (const m of src.matchAll(re)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !en.has(k))).toEqual([]);
  });

  it('covers every value of the families built at run time', () => {
    const need = [
      ...['offline', 'ready', 'away', 'busy', 'wrap_up'].map((s) => `common.status.${s}`),
      ...[...AWAY_REASONS, ...SYSTEM_AWAY_REASONS].map((r) => `common.awayReasons.${r}`),
      ...['agent', 'supervisor', 'admin'].map((r) => `common.roles.${r}`),
      ...['idle', 'connecting', 'open', 'closed'].map((s) => `common.connection.${s}`),
      ...STRATEGIES.map((s) => `admin.strategies.${s}`),
      ...WEBHOOK_EVENTS.map((e) => `admin.webhookEvents.${e.replace('.', '_')}`),
      ...API_KEY_SCOPES.map((s) => `admin.scopes.${s.replace(':', '_')}`),
      ...CANNED_VARIABLES.map((v) => `agent.canned.variable.${v.replace('.', '_')}`),
      ...['pending', 'delivered', 'failed'].map((s) => `admin.deliveryStatus.${s}`),
      ...[1, 2, 3, 4, 5, 6, 7].map((d) => `admin.hours.weekdays.${d}`),
      ...['visitor', 'agent', 'system'].map((s) => `agent.sender.${s}`),
      ...CHANNELS.map((c) => `agent.channel.${c}`),
      ...RETURNING_BY.map((r) => `admin.returningBy.${r}`),
      ...FIELD_KINDS.map((k) => `admin.widgets.fieldKinds.${k}`),
      ...['assigned', 'transferred', 'closed', 'abandoned'].map((e) => `agent.event.${e}`),
      ...['queued', 'offered', 'assigned', 'closed'].map((s) => `agent.conversationStatus.${s}`),
      ...['tag_added', 'tag_removed'].map((k) => `notes.tagLine.${k}`),
      ...['mention', 'whisper'].map((k) => `notes.notifications.${k}`),
      ...['ok', 'warn', 'late'].map((k) => `notes.replyWait.${k}`),
      ...['visitor', 'agent', 'note'].map((k) => `search.sender.${k}`),
    ];
    expect(need.filter((k) => !en.has(k) || !zh.has(k))).toEqual([]);
  });

  it('has words for every reason the server documents (docs/openapi.json), in zh-CN and en', () => {
    const doc = JSON.parse(readFileSync(resolve(__dirname, '../../../../docs/openapi.json'), 'utf8')) as {
      components: { schemas: Record<string, { enum?: string[] }> };
    };
    const schemas = doc.components.schemas;
    // Where the workspace says each family in words. A family the workspace never shows is
    // named in SHOWN_ELSEWHERE with where it is shown, so a new reason enum fails here until
    // someone decides.
    const FAMILIES: Record<string, string> = {
      TransferRefusal: 'agent.transfer.reasons',
      SessionEndReason: 'auth.ended',
      OfferRevokedReason: 'agent.offerRevoked',
      CallEndReason: 'agent.callEndReason',
    };
    const SHOWN_ELSEWHERE: Record<string, string> = {
      ClosedReason: 'the widget pre-chat form (web/widget i18n.test.ts)',
      OfferReasonKind: 'not shown yet: the offer dialog does not say why it was offered',
    };
    const reasonEnums = Object.keys(schemas).filter((n) => /(Reason|Refusal)(Kind)?$/.test(n) && schemas[n]!.enum);
    expect(reasonEnums.filter((n) => !(n in FAMILIES) && !(n in SHOWN_ELSEWHERE))).toEqual([]);
    const missing: string[] = [];
    // Not reasons, but the same promise: every audit-log kind the server writes has a name.
    for (const [schema, prefix] of Object.entries({ ...FAMILIES, AuditEntity: 'admin.audit.entities', AuditAction: 'admin.audit.actions' })) {
      const values = schemas[schema]?.enum;
      expect(values, schema).toBeTruthy();
      for (const v of values ?? []) {
        const key = `${prefix}.${v}`;
        if (!zh.has(key)) missing.push(`zh-CN ${key}`);
        if (!en.has(key)) missing.push(`en ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('uses the contact-center glossary in Chinese', () => {
    const zhTree = bundle('zh-CN') as { common: { status: Record<string, string> }; supervisor: { kpi: Record<string, string> } };
    expect(zhTree.common.status).toMatchObject({ ready: '空闲', away: '小休', wrap_up: '话后整理', busy: '忙碌', offline: '离线' });
    expect(zhTree.supervisor.kpi).toMatchObject({ serviceLevel: '服务水平', abandonment: '放弃率', asa: '平均应答时长' });
  });
});

describe('messages', () => {
  it('render literal braces and interpolations in both languages', async () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      await setLocale(locale);
      await loadFeatures(['admin', 'agent', 'notes']);
      expect(i18n.global.t('admin.groups.crmHint')).toContain('{external_id}');
      // `@` starts a linked message in vue-i18n: the mention hint must escape it.
      expect(i18n.global.t('notes.placeholder')).toContain('@');
      expect(i18n.global.t('agent.offer.expiresIn', { secs: 12 })).toContain('12');
    }
    await setLocale('en');
  });
});

describe('detectLocale', () => {
  it('prefers Chinese for any zh browser language, else English', () => {
    expect(detectLocale(['zh-CN', 'en'], null)).toBe('zh-CN');
    expect(detectLocale(['zh-TW'], null)).toBe('zh-CN');
    expect(detectLocale(['en-US', 'zh-CN'], null)).toBe('en');
    expect(detectLocale(['fr-FR', 'de'], null)).toBe('en');
    expect(detectLocale(['fr-FR', 'zh'], null)).toBe('zh-CN');
    expect(detectLocale([], null)).toBe('en');
  });

  it('a stored choice wins', () => {
    expect(detectLocale(['zh-CN'], 'en')).toBe('en');
    expect(detectLocale(['en'], 'zh-CN')).toBe('zh-CN');
    expect(detectLocale(['en'], 'xx')).toBe('en');
  });
});
