//! Quality inspection (质检): what the QA pages show — my results, the reviewers' queue, the
//! conversation under review, appeals, the report, and the admin's rules, forms and reviewers.
//! Components never call the API; they call these actions. The work lists, rules and reviewers
//! come a page at a time (`QA_PAGE`): `load…` reads the first page, `more…` appends the next.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useLoadMore } from '../app/loadMore';
import type * as Api from '@kefu/api';
import { qaApi } from '../api/qa';
import type { Id } from '../api/types';

export const useQaStore = defineStore('qa', () => {
  /** From `GET /qa/mine`: which tabs the caller gets. */
  const canReview = ref(false);
  const canJudge = ref(false);
  const minePages = useLoadMore(async (after: number | undefined) => {
    const r = await qaApi.mine(after);
    canReview.value = r.can_review;
    canJudge.value = r.can_judge;
    return { rows: r.results, next: r.next_after, total: r.total };
  });
  const queuePages = useLoadMore(qaApi.queue);
  /** The appeals filter the pages were read with. */
  let appealStatus: 'open' | 'upheld' | 'rejected' | undefined;
  const appealPages = useLoadMore((after: number | undefined) => qaApi.appeals(appealStatus, after));
  const rulePages = useLoadMore(qaApi.rules);
  const reviewerPages = useLoadMore(qaApi.reviewers);
  const mine = minePages.rows;
  const queue = queuePages.rows;
  const appeals = appealPages.rows;
  const rules = rulePages.rows;
  const reviewers = reviewerPages.rows;
  const current = ref<Api.QaConversationView | null>(null);
  const forms = ref<Api.QaFormView[]>([]);
  const report = ref<Api.QaReport | null>(null);
  const loading = ref(false);

  async function busy<T>(f: () => Promise<T>): Promise<T> {
    loading.value = true;
    try {
      return await f();
    } finally {
      loading.value = false;
    }
  }

  async function loadMine(): Promise<void> {
    await busy(minePages.first);
  }

  async function loadQueue(): Promise<void> {
    await busy(queuePages.first);
  }

  async function sample(body: Api.QaSampleBody): Promise<Api.QaSampleResult> {
    const r = await qaApi.sample(body);
    await loadQueue();
    return r;
  }

  async function open(id: Id): Promise<void> {
    current.value = null;
    current.value = await busy(() => qaApi.conversation(id));
  }

  async function rescore(id: Id): Promise<void> {
    await qaApi.rescore(id);
    await open(id);
  }

  async function submitReview(id: Id, body: Api.QaReviewBody): Promise<void> {
    await qaApi.review(id, body);
    await open(id);
  }

  async function appeal(review: Id, reason: string): Promise<void> {
    await qaApi.appeal(review, reason);
    await loadMine();
  }

  async function loadAppeals(status?: 'open' | 'upheld' | 'rejected'): Promise<void> {
    appealStatus = status;
    await busy(appealPages.first);
  }

  async function decide(appeal: Id, body: Api.QaDecisionBody, reload?: 'open'): Promise<void> {
    await qaApi.decide(appeal, body);
    await loadAppeals(reload);
  }

  async function loadReport(from: string, to: string): Promise<void> {
    report.value = await busy(() => qaApi.report(from, to));
  }

  /** The loaded report's span per agent or per rule as a file, saved by the browser. */
  async function downloadReport(part: 'agents' | 'rules', format: 'csv' | 'xlsx', locale: string): Promise<void> {
    const r = report.value;
    if (!r) return;
    const blob = await qaApi.exportReport(r.from, r.to, part, format, locale);
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `kefu-qa_${part}-${r.from.slice(0, 10)}_${r.to.slice(0, 10)}.${format}`;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  async function loadForms(): Promise<void> {
    forms.value = await qaApi.forms();
  }

  async function saveForm(id: Id | null, body: Api.QaFormBody): Promise<void> {
    if (id === null) await qaApi.createForm(body);
    else await qaApi.updateForm(id, body);
    await loadForms();
  }

  async function loadRules(): Promise<void> {
    await busy(rulePages.first);
  }

  async function saveRule(id: Id | null, body: Api.QaRuleBody): Promise<void> {
    if (id === null) await qaApi.createRule(body);
    else await qaApi.updateRule(id, body);
    await loadRules();
  }

  async function removeRule(id: Id): Promise<void> {
    await qaApi.removeRule(id);
    rules.value = rules.value.filter((r) => r.id !== id);
    rulePages.total.value -= 1;
  }

  async function addStarter(): Promise<void> {
    await qaApi.starter();
    await Promise.all([loadRules(), loadForms()]);
  }

  async function loadReviewers(): Promise<void> {
    await reviewerPages.first();
  }

  async function setReviewer(user: Id, on: boolean): Promise<void> {
    if (on) await qaApi.grantReviewer(user);
    else await qaApi.withdrawReviewer(user);
    await loadReviewers();
  }

  /** The weekly automatic sample's setting (admins). */
  async function loadSampling(): Promise<Api.QaSampling> {
    return qaApi.sampling();
  }

  async function saveSampling(s: Api.QaSampling): Promise<Api.QaSampling> {
    return qaApi.setSampling(s);
  }

  /** What a list's "load more" bar shows. */
  const pages = {
    mine: { total: minePages.total, hasMore: minePages.hasMore, loading: minePages.loading, more: minePages.more },
    queue: { total: queuePages.total, hasMore: queuePages.hasMore, loading: queuePages.loading, more: queuePages.more },
    appeals: { total: appealPages.total, hasMore: appealPages.hasMore, loading: appealPages.loading, more: appealPages.more },
    rules: { total: rulePages.total, hasMore: rulePages.hasMore, loading: rulePages.loading, more: rulePages.more },
    reviewers: { total: reviewerPages.total, hasMore: reviewerPages.hasMore, loading: reviewerPages.loading, more: reviewerPages.more },
  };

  return {
    mine, canReview, canJudge, queue, current, forms, rules, appeals, report, reviewers, loading, pages,
    loadMine, loadQueue, sample, open, rescore, submitReview, appeal, loadAppeals, decide, loadReport, downloadReport,
    loadForms, saveForm, loadRules, saveRule, removeRule, addStarter, loadReviewers, setReviewer,
    loadSampling, saveSampling,
  };
});
