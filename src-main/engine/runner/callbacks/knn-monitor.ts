import { weightedKnn } from '../../eval/knn';
import type { EpochEnd, TrainingCallback, TrainingRun } from './training-callback';

/**
 * The kNN monitor: weighted kNN top-1 and top-5 of the test split against the training split (Wu et
 * al. 2018, the InstDisc protocol; `knnK`, `knnTemperature`) at every evaluation, where the dataset
 * has labels and both splits have images.
 */
export class KnnMonitorCallback implements TrainingCallback {
  onEpochEnd(run: TrainingRun, { step, epoch, features }: EpochEnd): void {
    const { dataset, config, reporter } = run;
    const train = features.of('train');
    const test = features.of('test');
    if (!train || !test || !dataset.train.labels || !dataset.test.labels) return;
    const knn = weightedKnn(train, dataset.train.labels, test, dataset.test.labels, {
      k: config.knnK,
      temperature: config.knnTemperature,
      numClasses: dataset.classNames.length,
    });
    reporter.metric(step, epoch, 'knn_top1', knn.top1);
    reporter.metric(step, epoch, 'knn_top5', knn.top5);
    reporter.log('info', `epoch ${epoch}: kNN top-1 ${(100 * knn.top1).toFixed(2)}%`);
  }
}
