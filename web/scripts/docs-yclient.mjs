// A plain y-websocket client (yjs + the y-websocket provider, none of our front end), for the
// interoperability test in tests/docs/test_interop.py:
//   node web/scripts/docs-yclient.mjs WS_BASE ROOM COOKIE ORIGIN TEXT_TO_APPEND TEXT_TO_WAIT_FOR
// It appends its text to the Y.Text "t" once synced, waits until the document contains the other
// text, and prints {"text": ..., "peers": [awareness names]} as JSON.
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';

const [base, room, cookie, origin, append, waitFor] = process.argv.slice(2);

class CookieSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols, { headers: { Cookie: cookie, Origin: origin } });
  }
}

const doc = new Y.Doc();
const provider = new WebsocketProvider(base, room, doc, { WebSocketPolyfill: CookieSocket, disableBc: true });
provider.awareness.setLocalStateField('user', { name: 'node-client', color: '#389e0d' });
const text = doc.getText('t');
let appended = false;
let done = false;

function peers() {
  return [...provider.awareness.getStates().entries()]
    .filter(([id]) => id !== doc.clientID)
    .map(([, state]) => state?.user?.name)
    .filter(Boolean);
}

function check() {
  if (done || !appended || (waitFor && !text.toString().includes(waitFor))) return;
  done = true;
  // Give the provider a moment to flush our own update and awareness before leaving.
  setTimeout(() => {
    console.log(JSON.stringify({ text: text.toString(), peers: peers() }));
    provider.destroy();
    process.exit(0);
  }, 500);
}

provider.on('sync', (synced) => {
  if (!synced || appended) return;
  appended = true;
  if (append) text.insert(text.length, append);
  check();
});
text.observe(check);
setTimeout(() => {
  console.error(`timed out; text=${JSON.stringify(text.toString())}`);
  process.exit(2);
}, 20000);
