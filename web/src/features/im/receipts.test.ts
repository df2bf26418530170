import { describe, expect, it } from 'vitest';
import { messageFixture } from './testFixtures';
import { receiptLabel } from './receipts';

describe('receiptLabel', () => {
  it('says read or unread in a 1:1', () => {
    expect(receiptLabel(messageFixture({ unread_count: 1 }), 'direct')).toEqual({ key: 'im.receipt.unread' });
    expect(receiptLabel(messageFixture({ unread_count: 0 }), 'direct')).toEqual({ key: 'im.receipt.read' });
  });

  it('counts the unread in a group, or says all read', () => {
    expect(receiptLabel(messageFixture({ unread_count: 7 }), 'group')).toEqual({ key: 'im.receipt.unreadCount', count: 7 });
    expect(receiptLabel(messageFixture({ unread_count: 0 }), 'department')).toEqual({ key: 'im.receipt.allRead' });
  });

  it('shows nothing for messages not mine, pending, failed or recalled', () => {
    expect(receiptLabel(messageFixture({ unread_count: null }), 'group')).toBeNull();
    expect(receiptLabel({ ...messageFixture({ unread_count: 2 }), pending: true }, 'group')).toBeNull();
    expect(receiptLabel({ ...messageFixture({ unread_count: 2 }), failed: true }, 'group')).toBeNull();
    expect(receiptLabel(messageFixture({ unread_count: 2, recalled: true }), 'group')).toBeNull();
  });
});
