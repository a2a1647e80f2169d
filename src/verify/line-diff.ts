// Which lines two texts do not share, by longest common subsequence: what a
// state divergence shows (the lines only the simulator has, and only the kernel).

export interface LineDiff {
  readonly onlyLeft: readonly string[];
  readonly onlyRight: readonly string[];
}

export function diffLines(left: readonly string[], right: readonly string[]): LineDiff {
  // lengths[i][j] = LCS length of left[i..] and right[j..]
  const lengths: number[][] = Array.from({ length: left.length + 1 }, () => new Array<number>(right.length + 1).fill(0));
  for (let i = left.length - 1; i >= 0; i--) {
    for (let j = right.length - 1; j >= 0; j--) {
      lengths[i]![j] = left[i] === right[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
    }
  }
  const onlyLeft: string[] = [];
  const onlyRight: string[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    if (left[i] === right[j]) {
      i++;
      j++;
    } else if (lengths[i + 1]![j]! >= lengths[i]![j + 1]!) onlyLeft.push(left[i++]!);
    else onlyRight.push(right[j++]!);
  }
  onlyLeft.push(...left.slice(i));
  onlyRight.push(...right.slice(j));
  return { onlyLeft, onlyRight };
}
