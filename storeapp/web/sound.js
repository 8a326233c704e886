// The new-offer chime: two short beeps from Web Audio (no sound file to fetch).

let context = null;

/** Call from a user gesture (sign-in): browsers only let a page make sound after one. */
export function unlockSound() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  if (!context) context = new Ctx();
  if (context.state === "suspended") context.resume();
}

export function beep() {
  // Counted on the page so a test (or a curious manager) can see the chime was played.
  document.body.dataset.beeps = String(Number(document.body.dataset.beeps || 0) + 1);
  if (!context) return;
  const start = context.currentTime;
  for (const [offset, pitch] of [[0, 880], [0.22, 1320]]) {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.type = "sine";
    osc.frequency.value = pitch;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
    osc.connect(gain).connect(context.destination);
    osc.start(start + offset);
    osc.stop(start + offset + 0.2);
  }
}
