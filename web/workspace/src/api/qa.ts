// Quality inspection (质检): rules, forms, reviewers, the queue, reviews, appeals, the report.
import type * as Api from '@kefu/api';
import { http, requestBlob } from './client';
import type { Id } from './types';
import type { CursorPage } from '../app/cursorPages';

/** Rows per page of the QA work lists, rules and reviewers (the server pages them by cursor). */
export const QA_PAGE = 50;

type Status = 'open' | 'upheld' | 'rejected';
const paged = (after: number | undefined) => ({ limit: QA_PAGE, after });
function page<T>(rows: T[], r: { next_after: number | null; total: number }): CursorPage<T, number> {
  return { rows, next: r.next_after, total: r.total };
}

export type QaCheck = Api.Check;
export type QaCheckKind = Api.Check['kind'];

export const qaApi = {
  /** A page of my results, with what the caller may do (the tabs). */
  mine: (after?: number) => http.get<Api.QaMine>('/qa/mine', paged(after)),
  conversation: (id: Id) => http.get<Api.QaConversationView>(`/qa/conversations/${id}`),
  rescore: (id: Id) => http.post<Api.QaAutoView>(`/qa/conversations/${id}/rescore`),
  review: (id: Id, body: Api.QaReviewBody) => http.post<Api.QaReviewView>(`/qa/conversations/${id}/review`, body),
  queue: (after?: number) => http.get<Api.QaQueue>('/qa/queue', paged(after)).then((r) => page(r.items, r)),
  sample: (body: Api.QaSampleBody) => http.post<Api.QaSampleResult>('/qa/samples', body),
  appeal: (review: Id, reason: string) => http.post<Api.QaAppealView>(`/qa/reviews/${review}/appeal`, { reason } satisfies Api.QaAppealBody),
  appeals: (status: Status | undefined, after?: number) =>
    http.get<Api.QaAppealList>('/qa/appeals', { status, ...paged(after) }).then((r) => page(r.appeals, r)),
  decide: (appeal: Id, body: Api.QaDecisionBody) => http.post<Api.QaAppealView>(`/qa/appeals/${appeal}/decision`, body),
  report: (from: string, to: string) => http.get<Api.QaReport>('/qa/report', { from, to }),
  /** The report per agent or per rule as a file (the server logs every export). */
  exportReport: (from: string, to: string, part: 'agents' | 'rules', format: 'csv' | 'xlsx', locale: string) =>
    requestBlob(`/qa/report/export?${new URLSearchParams({ from, to, part, format, locale }).toString()}`),
  rules: (after?: number) => http.get<Api.QaRuleList>('/qa/rules', paged(after)).then((r) => page(r.rules, r)),
  createRule: (body: Api.QaRuleBody) => http.post<Api.QaRuleView>('/qa/rules', body),
  updateRule: (id: Id, body: Api.QaRuleBody) => http.patch<Api.QaRuleView>(`/qa/rules/${id}`, body),
  removeRule: (id: Id) => http.del(`/qa/rules/${id}`),
  starter: () => http.post<Api.QaRuleList>('/qa/starter'),
  // Whole: a review picks its form among every enabled one, and forms are a handful.
  forms: () => http.get<Api.QaFormList>('/qa/forms').then((r) => r.forms),
  createForm: (body: Api.QaFormBody) => http.post<Api.QaFormView>('/qa/forms', body),
  updateForm: (id: Id, body: Api.QaFormBody) => http.patch<Api.QaFormView>(`/qa/forms/${id}`, body),
  reviewers: (after?: number) => http.get<Api.QaReviewerList>('/qa/reviewers', paged(after)).then((r) => page(r.reviewers, r)),
  grantReviewer: (user: Id) => http.put<void>(`/qa/reviewers/${user}`),
  withdrawReviewer: (user: Id) => http.del(`/qa/reviewers/${user}`),
  sampling: () => http.get<Api.QaSampling>('/qa/sampling'),
  setSampling: (body: Api.QaSampling) => http.put<Api.QaSampling>('/qa/sampling', body),
};
