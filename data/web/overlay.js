// The canvas over the video: boxes for faces and persons (a colour per
// track id), skeleton lines when keypoints exist, redrawn for every
// presented frame (requestVideoFrameCallback where the browser has it).

import { framesAt } from './annotations.js';

export function trackColour(id) {
  const hue = ((Number(id) || 0) * 137.508) % 360;
  return `hsl(${hue.toFixed(0)} 85% 55%)`;
}

export class Overlay {
  constructor(video, canvas) {
    this.video = video;
    this.canvas = canvas;
    this.layers = [];
    this.drawn = 0;
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.draw();
      if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(tick);
    };
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(tick);
    for (const ev of ['seeked', 'loadeddata', 'timeupdate', 'pause']) video.addEventListener(ev, () => this.draw());
    window.addEventListener('resize', this.onResize = () => this.draw());
  }

  add(detections) {
    this.layers.push(detections);
    this.draw();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('resize', this.onResize);
  }

  draw() {
    const { video, canvas } = this;
    const w = video.videoWidth;
    const hgt = video.videoHeight;
    if (!w || !hgt) return;
    if (canvas.width !== w || canvas.height !== hgt) { canvas.width = w; canvas.height = hgt; }
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, w, hgt);
    let count = 0;
    const t = video.currentTime;
    ctx.lineWidth = Math.max(2, w / 320);
    ctx.font = `${Math.max(12, Math.round(w / 40))}px sans-serif`;
    for (const layer of this.layers) {
      for (const d of framesAt(layer, t)) {
        const [x, y, bw, bh] = d.bbox;
        const colour = trackColour(d.track);
        ctx.strokeStyle = colour;
        ctx.fillStyle = colour;
        ctx.setLineDash(d.kind === 'faces' ? [] : [8, 4]);
        ctx.strokeRect(x, y, bw, bh);
        ctx.fillText(`${d.kind === 'faces' ? 'face' : 'person'} ${d.track ?? ''}`, x + 2, Math.max(12, y - 4));
        if (d.keypoints) this.skeleton(ctx, d.keypoints, layer.skeleton);
        count++;
      }
    }
    this.drawn = count;
    canvas.dataset.boxes = String(count);
    canvas.dataset.time = t.toFixed(3);
  }

  skeleton(ctx, k, edges) {
    ctx.setLineDash([]);
    for (const [a, b] of edges) {
      const i = (a - 1) * 3;
      const j = (b - 1) * 3;
      if (k[i + 2] > 0 && k[j + 2] > 0) {
        ctx.beginPath();
        ctx.moveTo(k[i], k[i + 1]);
        ctx.lineTo(k[j], k[j + 1]);
        ctx.stroke();
      }
    }
    for (let i = 0; i < k.length; i += 3) {
      if (k[i + 2] > 0) ctx.fillRect(k[i] - 2, k[i + 1] - 2, 4, 4);
    }
  }
}
