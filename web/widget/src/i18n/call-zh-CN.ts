// 通话界面的简体中文文案（只打包进通话分块）。

import type { call as en } from './call-en';

export const call: typeof en = {
  region: '视频通话',
  connecting: '正在连接…',
  inProgress: '通话中 {time}',
  failed: '连接已断开，请挂断后重试。',
  remoteVideo: '客服画面',
  localVideo: '我的画面',
  mute: '静音',
  unmute: '取消静音',
  cameraOff: '关闭摄像头',
  cameraOn: '打开摄像头',
  switchCamera: '切换摄像头',
  switchCameraFailed: '无法切换摄像头，请检查另一个摄像头是否可用。',
  fullscreen: '全屏',
  exitFullscreen: '退出全屏',
  hangup: '挂断',
  voiceCall: '语音通话',
  agent: '客服',
  shareScreen: '共享屏幕',
  stopShare: '停止共享',
  remoteScreen: '坐席的屏幕',
  snapshotTaken: '坐席已抓拍',
  snapshotCameraOff: '坐席请求抓拍；您的摄像头已关闭，未拍摄',
  snapshotFailed: '坐席请求抓拍，但未能拍摄',
  networkGood: '网络良好',
  networkFair: '网络一般',
  networkPoor: '网络较差，画质可能降低',
};
