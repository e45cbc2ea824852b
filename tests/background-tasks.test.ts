import { BackgroundTasks } from 'gatehouse'
import { expect, test } from 'vitest'

const silent = { error: () => {} }

test('tasks run in order, those queued while running last; size counts what has not run', async () => {
  const tasks = new BackgroundTasks()
  const ran: number[] = []
  const sizes: number[] = []
  for (let i = 0; i < 3; i++)
    tasks.add((n: number) => {
      ran.push(n)
      sizes.push(tasks.size)
      if (n === 1) tasks.add(() => ran.push(99))
    }, i)
  expect(tasks.size).toBe(3)
  await tasks.run(silent, 'test')
  expect(ran).toEqual([0, 1, 2, 99])
  // While a task runs, it and those before it are no longer queued (task 1 looks before it adds).
  expect(sizes).toEqual([2, 1, 1])
  expect(tasks.size).toBe(0)
  // Tasks added after a run wait for the next one.
  tasks.add(() => ran.push(100))
  expect(tasks.size).toBe(1)
  await tasks.run(silent, 'test')
  expect(ran.at(-1)).toBe(100)
})

test('many tasks all run, each once, in order', async () => {
  const tasks = new BackgroundTasks()
  let expected = 0
  let outOfOrder = 0
  const count = 100_000
  for (let i = 0; i < count; i++)
    tasks.add((n: number) => {
      if (n !== expected) outOfOrder++
      expected++
    }, i)
  await tasks.run(silent, 'test')
  expect(expected).toBe(count)
  expect(outOfOrder).toBe(0)
})
