// Parsers for the result files a job writes (docs/elements.md): COCO JSON
// (scenes, faces, persons), motion CSV, WebVTT transcript, RTTM turns. The
// kind is recognised from the content, not from the file name.

export function detectKind(text) {
  const head = text.slice(0, 200).trimStart();
  if (head.startsWith('WEBVTT')) return 'vtt';
  if (head.startsWith('SPEAKER ') || (text.trim() === '' )) return 'rttm';
  if (head.startsWith('frame,timestamp,energy')) return 'motion';
  if (head.startsWith('start,end,duration')) return 'voice';
  if (head.startsWith('{')) {
    const doc = JSON.parse(text);
    const names = (doc.categories || []).map((c) => c.name);
    if (names.includes('scene')) return 'scenes';
    if (names.includes('face')) return 'faces';
    if (names.includes('person')) return 'persons';
    if (doc.person_tracks) return 'tracks';
    return 'json';
  }
  return 'other';
}

export function parseScenes(doc) {
  return (doc.annotations || [])
    .map((a) => ({ start: a.start_time, end: a.end_time }))
    .sort((a, b) => a.start - b.start);
}

// Detections grouped by frame timestamp, in time order, for the overlay.
// skeleton: COCO's 1-based keypoint index pairs from the category.
export function parseDetections(doc, kind) {
  const category = (doc.categories || []).find((c) => c.name === (kind === 'faces' ? 'face' : 'person')) || {};
  const skeleton = category.skeleton || [];
  const frames = new Map();
  for (const a of doc.annotations || []) {
    const ts = a.timestamp;
    if (!frames.has(ts)) frames.set(ts, []);
    frames.get(ts).push({
      kind,
      bbox: a.bbox,
      track: kind === 'faces' ? a.face_id : a.track_id,
      score: a.score,
      keypoints: a.num_keypoints > 0 ? a.keypoints : null,
    });
  }
  const times = [...frames.keys()].sort((x, y) => x - y);
  return { times, frames, skeleton };
}

export function parseMotion(text) {
  return text.trim().split('\n').slice(1).map((line) => {
    const [, ts, energy] = line.split(',');
    return { t: Number(ts), energy: Number(energy) };
  }).filter((p) => Number.isFinite(p.t));
}

function vttTime(s) {
  const parts = s.trim().split(':').map(Number);
  return parts.reduce((acc, v) => acc * 60 + v, 0);
}

export function parseVtt(text) {
  const cues = [];
  const blocks = text.replace(/\r/g, '').split(/\n\n+/);
  for (const block of blocks) {
    const lines = block.split('\n');
    const i = lines.findIndex((l) => l.includes('-->'));
    if (i < 0) continue;
    const [from, to] = lines[i].split('-->');
    let body = lines.slice(i + 1).join(' ');
    let speaker = null;
    const voice = /^<v ([^>]+)>/.exec(body);
    if (voice) { speaker = voice[1]; body = body.slice(voice[0].length); }
    body = body.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    cues.push({ start: vttTime(from), end: vttTime(to.split(' ').filter(Boolean)[0]), text: body, speaker });
  }
  return cues;
}

export function parseRttm(text) {
  return text.split('\n').filter((l) => l.startsWith('SPEAKER ')).map((l) => {
    const f = l.split(/\s+/);
    const start = Number(f[3]);
    return { start, end: start + Number(f[4]), speaker: f[7] };
  });
}

// The frame shown at time t: the latest detection time not after t, if it
// is recent (a detector that skipped frames leaves nothing on screen
// beyond maxGap seconds).
export function framesAt(detections, t, maxGap = 0.25) {
  const { times } = detections;
  let lo = 0;
  let hi = times.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t + 1e-3) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (found < 0 || t - times[found] > maxGap) return [];
  return detections.frames.get(times[found]);
}
