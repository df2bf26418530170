/**
 * A small video meeting as a full mesh: one RTCPeerConnection per other participant, signalled
 * over Tongban's authenticated room socket (/api/meetings/{id}/room). The newcomer makes the
 * offers; those already in the room answer, so two peers never offer to each other at once.
 * STUN/TURN servers are not configurable yet (`iceServers` is empty): host candidates work on a
 * LAN or one machine; across NATs a TURN server (coturn) is still to be wired in.
 */

export interface RoomPeer {
  conn: string;
  person_id: number;
  name: string;
  host: boolean;
  muted: boolean;
  camera: boolean;
  hand: boolean;
  sharing: boolean;
}

export interface RoomChat {
  id: number;
  person_id: number | null;
  name: string;
  body: string;
  created_at: string;
}

export interface RoomSnapshot {
  status: 'connecting' | 'in' | 'refused' | 'removed' | 'ended' | 'closed';
  refusal: string | null;
  you: string | null;
  me: RoomPeer | null;
  host: boolean;
  locked: boolean;
  title: string;
  peers: RoomPeer[];
  streams: Record<string, MediaStream>;
  chat: RoomChat[];
  invitees: { person_id: number; name: string }[];
}

declare global {
  interface Window {
    /** The open peer connections, for diagnostics (chrome://webrtc-internals shows the same). */
    tongbanMeetingPeers?: Map<string, RTCPeerConnection>;
  }
}

type Signal = { sdp?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit };

export class MeshRoom {
  private ws: WebSocket | null = null;
  private pcs = new Map<string, RTCPeerConnection>();
  private camera: MediaStreamTrack | null;
  private screen: MediaStream | null = null;
  snapshot: RoomSnapshot = {
    status: 'connecting',
    refusal: null,
    you: null,
    me: null,
    host: false,
    locked: false,
    title: '',
    peers: [],
    streams: {},
    chat: [],
    invitees: [],
  };
  me = { muted: false, camera: true, hand: false, sharing: false };

  constructor(
    private meetingId: number,
    private local: MediaStream,
    private onChange: (s: RoomSnapshot) => void,
  ) {
    this.camera = local.getVideoTracks()[0] ?? null;
    window.tongbanMeetingPeers = this.pcs;
  }

  start(): void {
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${window.location.host}/api/meetings/${this.meetingId}/room`);
    this.ws = ws;
    ws.onmessage = (e) => void this.onMessage(JSON.parse(String(e.data)) as Record<string, unknown>);
    ws.onclose = () => {
      if (this.snapshot.status === 'in' || this.snapshot.status === 'connecting') this.update({ status: 'closed' });
      this.closePeers();
    };
  }

  leave(): void {
    this.send({ type: 'leave' });
    this.ws?.close();
    this.closePeers();
    this.screen?.getTracks().forEach((t) => t.stop());
  }

  private closePeers(): void {
    for (const pc of this.pcs.values()) pc.close();
    this.pcs.clear();
  }

  private update(patch: Partial<RoomSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    this.onChange(this.snapshot);
  }

  private send(message: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private setPeer(peer: RoomPeer): void {
    const others = this.snapshot.peers.filter((p) => p.conn !== peer.conn);
    this.update({ peers: [...others, peer] });
  }

  private connection(conn: string): RTCPeerConnection {
    let pc = this.pcs.get(conn);
    if (pc) return pc;
    pc = new RTCPeerConnection({ iceServers: [] });
    const video = this.screen?.getVideoTracks()[0] ?? this.camera;
    for (const track of this.local.getAudioTracks()) pc.addTrack(track, this.local);
    if (video) pc.addTrack(video, this.local);
    pc.onicecandidate = (e) => {
      if (e.candidate) this.send({ type: 'signal', to: conn, data: { candidate: e.candidate.toJSON() } });
    };
    pc.ontrack = (e) => {
      const stream = e.streams[0] ?? new MediaStream([e.track]);
      this.update({ streams: { ...this.snapshot.streams, [conn]: stream } });
    };
    this.pcs.set(conn, pc);
    return pc;
  }

  private async offer(conn: string): Promise<void> {
    const pc = this.connection(conn);
    await pc.setLocalDescription(await pc.createOffer());
    this.send({ type: 'signal', to: conn, data: { sdp: pc.localDescription?.toJSON() } });
  }

  private async onSignal(from: string, data: Signal): Promise<void> {
    const pc = this.connection(from);
    if (data.sdp) {
      await pc.setRemoteDescription(data.sdp);
      if (data.sdp.type === 'offer') {
        await pc.setLocalDescription(await pc.createAnswer());
        this.send({ type: 'signal', to: from, data: { sdp: pc.localDescription?.toJSON() } });
      }
    } else if (data.candidate) {
      await pc.addIceCandidate(data.candidate).catch(() => undefined);
    }
  }

  private async onMessage(m: Record<string, unknown>): Promise<void> {
    switch (m.type) {
      case 'welcome': {
        const peers = m.peers as RoomPeer[];
        this.update({
          status: 'in',
          you: m.you as string,
          me: m.me as RoomPeer,
          host: Boolean(m.host),
          locked: Boolean(m.locked),
          title: String(m.title ?? ''),
          peers,
          chat: m.chat as RoomChat[],
          invitees: m.invitees as RoomSnapshot['invitees'],
        });
        this.sendState();
        for (const peer of peers) await this.offer(peer.conn);
        break;
      }
      case 'refused':
        this.update({ status: 'refused', refusal: String(m.message ?? '') });
        break;
      case 'joined':
        this.setPeer(m.peer as RoomPeer);
        break;
      case 'state':
        if ((m.peer as RoomPeer).conn !== this.snapshot.you) this.setPeer(m.peer as RoomPeer);
        break;
      case 'left': {
        const conn = (m.peer as RoomPeer).conn;
        this.pcs.get(conn)?.close();
        this.pcs.delete(conn);
        const streams = { ...this.snapshot.streams };
        delete streams[conn];
        this.update({ peers: this.snapshot.peers.filter((p) => p.conn !== conn), streams });
        break;
      }
      case 'signal':
        await this.onSignal(m.from as string, m.data as Signal);
        break;
      case 'chat':
        this.update({ chat: [...this.snapshot.chat, m.message as RoomChat] });
        break;
      case 'mute':
        this.setMuted(true);
        break;
      case 'locked':
        this.update({ locked: Boolean(m.locked) });
        break;
      case 'removed':
        this.update({ status: 'removed' });
        this.leave();
        break;
      case 'ended':
        this.update({ status: 'ended' });
        this.leave();
        break;
    }
  }

  private sendState(): void {
    this.send({ type: 'state', ...this.me });
    this.onChange(this.snapshot);
  }

  setMuted(muted: boolean): void {
    this.me.muted = muted;
    this.local.getAudioTracks().forEach((t) => (t.enabled = !muted));
    this.sendState();
  }

  setCamera(on: boolean): void {
    this.me.camera = on;
    if (this.camera) this.camera.enabled = on;
    this.sendState();
  }

  setHand(up: boolean): void {
    this.me.hand = up;
    this.sendState();
  }

  private async replaceVideo(track: MediaStreamTrack | null): Promise<void> {
    for (const pc of this.pcs.values()) {
      const sender = pc.getSenders().find((s) => s.track?.kind === 'video' || (s.track === null && track));
      if (sender) await sender.replaceTrack(track);
    }
  }

  /** Share the screen in place of the camera (no renegotiation: the video sender's track changes). */
  async shareScreen(on: boolean): Promise<void> {
    if (on) {
      const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
      this.screen = screen;
      const track = screen.getVideoTracks()[0];
      track.onended = () => void this.shareScreen(false);
      await this.replaceVideo(track);
      this.me.sharing = true;
    } else {
      this.screen?.getTracks().forEach((t) => t.stop());
      this.screen = null;
      await this.replaceVideo(this.camera);
      this.me.sharing = false;
    }
    this.sendState();
  }

  screenStream(): MediaStream | null {
    return this.screen;
  }

  chat(body: string): void {
    this.send({ type: 'chat', body });
  }

  hostAction(action: 'mute_all' | 'mute' | 'remove' | 'lock' | 'unlock' | 'end', target?: string): void {
    this.send({ type: 'host', action, target });
  }
}
