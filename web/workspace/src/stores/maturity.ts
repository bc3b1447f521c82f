//! The maturity assessment: loaded on the page, replaced by the server's answer after each save.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { maturityApi, type MaturityAssessment, type MaturityQuestion } from '../api/maturity';
import { errorText } from '../app/errorText';

export const useMaturityStore = defineStore('maturity', () => {
  const assessment = ref<MaturityAssessment | null>(null);
  const loading = ref(false);
  const saving = ref(false);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      assessment.value = await maturityApi.get();
      error.value = null;
    } catch (e) {
      error.value = errorText(e);
    } finally {
      loading.value = false;
    }
  }

  /** Save the answers; the assessment comes back scored with them. */
  async function answer(answers: Partial<Record<MaturityQuestion, number>>): Promise<void> {
    saving.value = true;
    try {
      assessment.value = await maturityApi.answer(answers);
      error.value = null;
    } finally {
      saving.value = false;
    }
  }

  return { assessment, loading, saving, error, load, answer };
});
