import { describe, expect, it } from 'vitest';
import { crmUrl } from './crmUrl';

describe('crmUrl', () => {
  it('fills {external_id} URL-encoded, everywhere it occurs', () => {
    expect(crmUrl('https://crm.example/customer?id={external_id}', 'C 001/é')).toBe(
      'https://crm.example/customer?id=C%20001%2F%C3%A9',
    );
    expect(crmUrl('https://crm.example/{external_id}/x?again={external_id}', 'a&b')).toBe(
      'https://crm.example/a%26b/x?again=a%26b',
    );
  });

  it('gives nothing without a template or an external id', () => {
    expect(crmUrl(null, 'x')).toBeNull();
    expect(crmUrl('https://crm.example/?id={external_id}', null)).toBeNull();
    expect(crmUrl('https://crm.example/?id={external_id}', '')).toBeNull();
  });

  it('refuses anything but http(s)', () => {
    expect(crmUrl('javascript:alert({external_id})', '1')).toBeNull();
    expect(crmUrl('data:text/html,{external_id}', '1')).toBeNull();
  });
});
