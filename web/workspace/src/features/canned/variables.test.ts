import { describe, expect, it } from 'vitest';
import { conversation, visitor } from '../../stores/testing';
import { CANNED_VARIABLES, expandVariables, valuesFor } from './variables';

describe('canned response variables', () => {
  const c = conversation({ id: 42, topic: '账单', business_type_id: 1, visitor: visitor({ name: '王小明', vip_level: 3, external_id: 'C-9' }) });
  const values = valuesFor(c, '李娜', { businessType: '信用卡业务', group: '信用卡服务' });

  it('fills in the customer, agent, conversation and routing names', () => {
    const body =
      '{{customer.name}}您好，我是{{agent.name}}。会话 {{conversation.id}}（{{conversation.topic}}），{{business_type}} / {{group}}，VIP{{customer.vip_level}} {{customer.external_id}}';
    expect(expandVariables(body, values)).toBe('王小明您好，我是李娜。会话 42（账单），信用卡业务 / 信用卡服务，VIP3 C-9');
  });

  it('allows spaces inside the braces and repeats', () => {
    expect(expandVariables('Hi {{ customer.name }}, {{customer.name}}!', values)).toBe('Hi 王小明, 王小明!');
  });

  it('leaves unknown variables visible so the agent notices them', () => {
    expect(expandVariables('Dear {{customer.nmae}} {{ order.id }}', values)).toBe('Dear {{customer.nmae}} {{ order.id }}');
    expect(expandVariables('{{not a variable}} {single}', values)).toBe('{{not a variable}} {single}');
  });

  it('makes a known variable without a value empty', () => {
    const bare = valuesFor(conversation({ topic: null, visitor: visitor({ external_id: null }) }), 'A');
    expect(expandVariables('[{{conversation.topic}}][{{customer.external_id}}][{{business_type}}]', bare)).toBe('[][][]');
  });

  it('gives every documented variable a value', () => {
    expect(Object.keys(values).sort()).toEqual([...CANNED_VARIABLES].sort());
  });
});
