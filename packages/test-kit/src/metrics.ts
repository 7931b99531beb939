/**
 * A value from an app's Prometheus text (GET /metrics): the first line of series `name` holding every
 * `labels` part (e.g. `kind="abandoned-cart"`), 0 when there is none.
 */
export async function metricValue(
  app: { inject: (options: { url: string }) => PromiseLike<{ body: string }> },
  name: string,
  ...labels: string[]
): Promise<number> {
  const text = (await app.inject({ url: '/metrics' })).body
  const line = text
    .split('\n')
    .find(
      (entry) =>
        (entry.startsWith(`${name}{`) || entry.startsWith(`${name} `)) &&
        labels.every((label) => entry.includes(label)),
    )
  return line ? Number(line.split(' ').at(-1)) : 0
}
