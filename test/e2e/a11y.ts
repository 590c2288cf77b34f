// Shared checks of the e2e suite: axe on the current state, and full-page screenshots into the test's output.
import AxeBuilder from '@axe-core/playwright'
import { expect, type Page, type TestInfo } from '@playwright/test'

/** The two window sizes every state is shot at: a common laptop and the smallest the app supports. */
export const VIEWPORTS = [
  { name: '1280x800', width: 1280, height: 800 },
  { name: '1024x700', width: 1024, height: 700 },
] as const

/** Fails when axe finds any WCAG 2.1 A/AA or Section 508 violation in the page as it is now. */
export async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'section508']).analyze()
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)
  expect(summary, `axe violations in state "${state}"`).toEqual([])
}

/** Saves a full-page screenshot as `<name>.png` in the test's output folder. */
export async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true })
}

/** True when the page scrolls sideways at the current size (content wider than the window). */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1)
}

/**
 * One reached state of the UI: axe, then a full-page screenshot at each window size (`<name>@<size>.png`), and
 * no sideways scrolling at either. The window is put back to its size before.
 */
export async function checkState(page: Page, info: TestInfo, name: string): Promise<void> {
  await expectNoAxeViolations(page, name)
  const before = page.viewportSize()
  for (const v of VIEWPORTS) {
    await page.setViewportSize({ width: v.width, height: v.height })
    // Let layout (and the charts' resize observers) settle on the new width before measuring.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
    expect(await scrollsSideways(page), `"${name}" scrolls sideways at ${v.name}`).toBe(false)
    await shot(page, info, `${name}@${v.name}`)
  }
  if (before) await page.setViewportSize(before)
}
