import { expect, test } from '@playwright/test';
import { openApp, screenshot } from './helpers';

/**
 * The Chinese UI says in Chinese what the engine describes in English: method cards, the help and units
 * of the form's fields (each method's own text for its own fields), dataset names and descriptions.
 */
test('switching to Chinese translates method cards, field help, units and dataset names', async ({
  page,
}) => {
  await openApp(page, '#/new/simclr');
  const card = page.getByTestId('method-simclr');
  await expect(card.locator('.idea')).toHaveText(/^Two augmented views, a projection head/);

  await page.getByTestId('language').selectOption('zh');
  await expect(card.locator('.idea')).toHaveText(
    '两个增强视图、一个投影头，对批内所有其他视图计算 NT-Xent。',
  );
  await expect(page.getByTestId('method-moco').locator('.idea')).toHaveText(/^动量平均的键编码器/);

  // A method's own field: its help is that method's text; a shared field: its unit and help.
  const temperature = page.getByTestId('field-temperature');
  await expect(temperature.locator('.field-help')).toHaveText(
    'NT-Xent 温度 τ（SimCLR CIFAR-10：0.5；ImageNet：0.1）。',
  );
  const width = page.getByTestId('field-width');
  await expect(width.locator('.unit')).toHaveText('通道');
  await expect(width.locator('.field-help')).toHaveText(/^第一阶段的通道数/);
  await expect(page.getByTestId('field-projectionHiddenDim').locator('label').first()).toHaveText(
    '投影隐藏层维度',
  );

  // Dataset names and descriptions; CIFAR-10 keeps its name.
  const dataset = page.getByTestId('run-dataset');
  await expect(dataset.locator('option[value="synthetic"]')).toHaveText('合成图形');
  await expect(dataset.locator('option[value="imagefolder"]')).toHaveText('图像文件夹');
  await expect(dataset.locator('option[value="cifar10"]')).toHaveText('CIFAR-10');
  await dataset.selectOption('synthetic');
  await expect(dataset.locator('xpath=..').locator('.field-help')).toHaveText(/^10 类 32×32 的图形与纹理/);
  await expect(page.locator('label[for="run-trainsize"] + .unit')).toHaveText('张图像');
  // The dataset check's answer, not "checking…", in the screenshot.
  await expect(page.getByTestId('dataset-check')).toHaveAttribute('data-state', 'ok');
  await screenshot(page, 'new-run-zh.png', 1300);

  // Another method: a field of its own, in the same temperature's other meaning.
  await page.getByTestId('method-moco').click();
  await expect(page.getByTestId('field-temperature').locator('.field-help')).toHaveText(/^InfoNCE 温度 τ/);
  const queue = page.getByTestId('field-queueSize');
  await expect(queue.locator('label').first()).toHaveText('队列大小');
  await expect(queue.locator('.field-help')).toHaveText(/^队列中的负样本键数 K/);
  await expect(queue.locator('.unit')).toHaveText('个键');
  // For a look in the dark theme at a method's own fields (not a README image).
  await page.getByTestId('theme-toggle').click();
  await page.getByTestId('group-method').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/chinese/new-run-moco-zh-dark.png' });
  await page.getByTestId('theme-toggle').click();

  // The Datasets view names the built-in dataset the same way.
  await page.getByTestId('tab-datasets').click();
  const builtIn = page.getByTestId('dataset-entry').filter({ hasText: '合成图形' });
  await builtIn.click();
  await expect(page.getByTestId('dataset-title')).toHaveText('合成图形');
  // Its source is named once, not again in a chip beside the same name.
  await expect(page.getByTestId('dataset-detail').locator('.detail-name .chip')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/chinese/datasets-zh.png' });
  await page.getByTestId('tab-new').click();

  // And back: the engine's English.
  await page.getByTestId('language').selectOption('en');
  await expect(page.getByTestId('field-temperature').locator('.field-help')).toHaveText(
    /^InfoNCE temperature τ/,
  );
  await expect(dataset.locator('option[value="synthetic"]')).toHaveText('Synthetic shapes');
});
