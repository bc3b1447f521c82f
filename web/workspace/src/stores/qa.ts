//! Quality inspection (质检): what the QA pages show — my results, the reviewers' queue, the
//! conversation under review, appeals, the report, and the admin's rules, forms and reviewers.
//! Components never call the API; they call these actions.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import type * as Api from '@kefu/api';
import { qaApi } from '../api/qa';
import type { Id } from '../api/types';

export const useQaStore = defineStore('qa', () => {
  const mine = ref<Api.QaMyResult[]>([]);
  /** From `GET /qa/mine`: which tabs the caller gets. */
  const canReview = ref(false);
  const canJudge = ref(false);
  const queue = ref<Api.QaQueueItem[]>([]);
  const current = ref<Api.QaConversationView | null>(null);
  const forms = ref<Api.QaFormView[]>([]);
  const rules = ref<Api.QaRuleView[]>([]);
  const appeals = ref<Api.QaAppealView[]>([]);
  const report = ref<Api.QaReport | null>(null);
  const reviewers = ref<Api.QaReviewerView[]>([]);
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
    const r = await busy(qaApi.mine);
    mine.value = r.results;
    canReview.value = r.can_review;
    canJudge.value = r.can_judge;
  }

  async function loadQueue(): Promise<void> {
    queue.value = await busy(qaApi.queue);
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
    appeals.value = await busy(() => qaApi.appeals(status));
  }

  async function decide(appeal: Id, body: Api.QaDecisionBody, reload?: 'open'): Promise<void> {
    await qaApi.decide(appeal, body);
    await loadAppeals(reload);
  }

  async function loadReport(from: string, to: string): Promise<void> {
    report.value = await busy(() => qaApi.report(from, to));
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
    rules.value = await busy(qaApi.rules);
  }

  async function saveRule(id: Id | null, body: Api.QaRuleBody): Promise<void> {
    if (id === null) await qaApi.createRule(body);
    else await qaApi.updateRule(id, body);
    await loadRules();
  }

  async function removeRule(id: Id): Promise<void> {
    await qaApi.removeRule(id);
    rules.value = rules.value.filter((r) => r.id !== id);
  }

  async function addStarter(): Promise<void> {
    rules.value = (await qaApi.starter()).rules;
    await loadForms();
  }

  async function loadReviewers(): Promise<void> {
    reviewers.value = await qaApi.reviewers();
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

  return {
    mine, canReview, canJudge, queue, current, forms, rules, appeals, report, reviewers, loading,
    loadMine, loadQueue, sample, open, rescore, submitReview, appeal, loadAppeals, decide, loadReport,
    loadForms, saveForm, loadRules, saveRule, removeRule, addStarter, loadReviewers, setReviewer,
    loadSampling, saveSampling,
  };
});
