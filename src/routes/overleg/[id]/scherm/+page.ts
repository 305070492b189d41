// The meeting runs on live connections (Yjs, socket.io) that exist only in the browser.
export const ssr = false;
