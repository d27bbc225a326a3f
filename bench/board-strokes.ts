// The strokes the board benchmarks draw: `count` random-walk pen strokes of
// 20-60 points over a 4000×3000 board, seeded, so every run draws the same.
import type { Shape } from '../renderer/board/src/model/shape';

export function benchStrokes(count: number): Shape[] {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const colors = ['#1e1e1e', '#e03131', '#1971c2', '#2f9e44', '#f08c00', '#9c36b5'];
  const shapes: Shape[] = [];
  for (let i = 0; i < count; i++) {
    let [x, y] = [rand() * 4000, rand() * 3000];
    const points = [];
    const n = 20 + Math.floor(rand() * 40);
    for (let j = 0; j < n; j++) {
      x += (rand() - 0.5) * 30;
      y += (rand() - 0.5) * 30;
      points.push(Math.round(x * 10) / 10, Math.round(y * 10) / 10, 0.5);
    }
    shapes.push({
      id: `bench-${i}`,
      type: 'pen',
      points,
      color: colors[i % colors.length]!,
      width: [2, 4, 8][i % 3]!,
      author: 'bench',
      createdAt: i,
      dx: 0,
      dy: 0,
      text: '',
    });
  }
  return shapes;
}
