// A few file operations at a time: an export can have thousands to do (images, pages), and
// thousands of open files at once would fail or thrash the disk.
export async function eachLimited<T>(items: readonly T[], limit: number, visit: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lane = async () => {
    while (next < items.length) await visit(items[next++])
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, lane))
}
