//! A failed call action, said to the agent: a device problem from the pre-call check in its own
//! words (no camera, permission refused …), anything else as the server's error.

import { ElMessage } from 'element-plus';
import { DeviceError } from '@kefu/realtime/call';
import { reportError } from '../../app/feedback';
import { i18n } from '../../app/i18n';

export function reportCallError(e: unknown): void {
  if (e instanceof DeviceError) {
    ElMessage({ type: 'error', message: i18n.global.t(`agent.call.device.${e.problem}`), showClose: true, grouping: true });
    return;
  }
  reportError(e);
}
