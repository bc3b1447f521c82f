// Quality inspection (质检): rules, forms, reviewers, the queue, reviews, appeals, the report.
import type * as Api from '@kefu/api';
import { http } from './client';
import type { Id } from './types';

export type QaCheck = Api.Check;
export type QaCheckKind = Api.Check['kind'];

export const qaApi = {
  mine: () => http.get<Api.QaMine>('/qa/mine'),
  conversation: (id: Id) => http.get<Api.QaConversationView>(`/qa/conversations/${id}`),
  rescore: (id: Id) => http.post<Api.QaAutoView>(`/qa/conversations/${id}/rescore`),
  review: (id: Id, body: Api.QaReviewBody) => http.post<Api.QaReviewView>(`/qa/conversations/${id}/review`, body),
  queue: () => http.get<Api.QaQueue>('/qa/queue').then((r) => r.items),
  sample: (body: Api.QaSampleBody) => http.post<Api.QaSampleResult>('/qa/samples', body),
  appeal: (review: Id, reason: string) => http.post<Api.QaAppealView>(`/qa/reviews/${review}/appeal`, { reason } satisfies Api.QaAppealBody),
  appeals: (status?: 'open' | 'upheld' | 'rejected') => http.get<Api.QaAppealList>('/qa/appeals', { status }).then((r) => r.appeals),
  decide: (appeal: Id, body: Api.QaDecisionBody) => http.post<Api.QaAppealView>(`/qa/appeals/${appeal}/decision`, body),
  report: (from: string, to: string) => http.get<Api.QaReport>('/qa/report', { from, to }),
  rules: () => http.get<Api.QaRuleList>('/qa/rules').then((r) => r.rules),
  createRule: (body: Api.QaRuleBody) => http.post<Api.QaRuleView>('/qa/rules', body),
  updateRule: (id: Id, body: Api.QaRuleBody) => http.patch<Api.QaRuleView>(`/qa/rules/${id}`, body),
  removeRule: (id: Id) => http.del(`/qa/rules/${id}`),
  starter: () => http.post<Api.QaRuleList>('/qa/starter'),
  forms: () => http.get<Api.QaFormList>('/qa/forms').then((r) => r.forms),
  createForm: (body: Api.QaFormBody) => http.post<Api.QaFormView>('/qa/forms', body),
  updateForm: (id: Id, body: Api.QaFormBody) => http.patch<Api.QaFormView>(`/qa/forms/${id}`, body),
  reviewers: () => http.get<Api.QaReviewerList>('/qa/reviewers').then((r) => r.reviewers),
  grantReviewer: (user: Id) => http.put<void>(`/qa/reviewers/${user}`),
  withdrawReviewer: (user: Id) => http.del(`/qa/reviewers/${user}`),
  sampling: () => http.get<Api.QaSampling>('/qa/sampling'),
  setSampling: (body: Api.QaSampling) => http.put<Api.QaSampling>('/qa/sampling', body),
};
