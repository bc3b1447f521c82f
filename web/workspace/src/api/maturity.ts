// The maturity assessment (成熟度评估): four dimensions scored from Kefu's figures and a short
// questionnaire; answering a question saves it and answers the new assessment.
import type * as Api from '@kefu/api';
import { http } from './client';

export type MaturityAssessment = Api.MaturityAssessment;
export type DimensionScore = Api.DimensionScore;
export type MaturityCheck = Api.MaturityCheck;
export type MaturityQuestion = Api.MaturityQuestion;

export const maturityApi = {
  get: () => http.get<MaturityAssessment>('/maturity'),
  answer: (answers: Partial<Record<MaturityQuestion, number>>) =>
    http.put<MaturityAssessment>('/maturity/answers', { answers } as Api.MaturityAnswers),
};
