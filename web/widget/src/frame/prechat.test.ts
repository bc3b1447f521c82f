import { describe, expect, it } from 'vitest';
import { conversationRequest, missingRequired, type PreChatInput } from './prechat';
import type { PreChatField } from './types';

const fields: PreChatField[] = [
  { name: 'name', label: { 'zh-CN': '姓名', en: 'Name' }, required: true, kind: 'text' },
  { name: 'business_type', label: { 'zh-CN': '业务类型', en: 'Service' }, required: true, kind: 'select' },
  { name: 'phone', label: { 'zh-CN': '手机号', en: 'Phone' }, required: false, kind: 'text' },
  { name: 'topic', label: { 'zh-CN': '问题', en: 'Question' }, required: false, kind: 'text' },
];
const input = (values: Record<string, string>, businessTypeId: number | null = 2): PreChatInput => ({
  fields,
  values,
  businessTypeId,
  locale: 'zh-CN',
});

describe('pre-chat form', () => {
  it('maps name and topic, hands other fields to the agent as lines', () => {
    expect(conversationRequest(input({ name: ' 张三 ', phone: '13800000000', topic: '信用卡' }))).toEqual({
      business_type_id: 2,
      name: '张三',
      topic: '信用卡',
      message: '手机号: 13800000000',
    });
  });

  it('omits empty values and an absent business type', () => {
    expect(conversationRequest(input({ name: '张三', phone: ' ' }, null))).toEqual({ name: '张三' });
  });

  it('builds a leave-message request', () => {
    expect(conversationRequest(input({ name: '张三', phone: '138' }), ' 请回电 ')).toEqual({
      business_type_id: 2,
      name: '张三',
      message: '手机号: 138\n请回电',
      leave_message: true,
    });
  });

  it('treats textarea fields like text fields (topic fills the topic, others go to the message)', () => {
    const areas: PreChatField[] = [
      { name: 'topic', label: { 'zh-CN': '问题描述', en: 'Question' }, required: true, kind: 'textarea' },
      { name: 'detail', label: { 'zh-CN': '补充说明', en: 'Details' }, required: false, kind: 'textarea' },
    ];
    const req = { fields: areas, businessTypeId: null, locale: 'en' as const };
    expect(conversationRequest({ ...req, values: { topic: '卡片\n挂失', detail: ' 第一行\n第二行 ' } })).toEqual({
      topic: '卡片\n挂失',
      message: 'Details: 第一行\n第二行',
    });
    expect(missingRequired({ ...req, values: { topic: ' \n ' } })?.name).toBe('topic');
  });

  it('finds the first missing required text field (the business type select is not typed in)', () => {
    expect(missingRequired(input({ name: '' }))?.name).toBe('name');
    expect(missingRequired(input({ name: '张三' }))).toBeUndefined();
  });
});
