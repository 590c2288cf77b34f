// Shared checks of the e2e suite: axe on the current state, and a full-page screenshot into the test's output.
import AxeBuilder from '@axe-core/playwright'
import { expect, type Page, type TestInfo } from '@playwright/test'

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

/** axe, then a screenshot: one reached state of the UI. */
export async function checkState(page: Page, info: TestInfo, name: string): Promise<void> {
  await expectNoAxeViolations(page, name)
  await shot(page, info, name)
}
