import { KNN_SKIPPED } from '../../../domain';
import { evalTrainSplit } from '../../data/dataset';
import { weightedKnn } from '../../eval/knn';
import type { EpochEnd, TrainingCallback, TrainingRun } from './training-callback';

/**
 * The kNN monitor: weighted kNN top-1 and top-5 of the test split against the training split (Wu et
 * al. 2018, the InstDisc protocol; `knnK`, `knnTemperature`) at every evaluation, where the dataset
 * has labels and both splits have images.
 */
export class KnnMonitorCallback implements TrainingCallback {
  private saidWhy = false;

  onEpochEnd(run: TrainingRun, { step, epoch, features }: EpochEnd): void {
    const { dataset, config, reporter } = run;
    const trainLabels = evalTrainSplit(dataset).labels;
    if (!trainLabels || !dataset.test.labels || dataset.test.count === 0) {
      // Said once, so the empty kNN chart has its reason in the run's log.
      if (!this.saidWhy) reporter.log('info', `${KNN_SKIPPED} ${dataset.name} has no labels to judge with`);
      this.saidWhy = true;
      return;
    }
    const train = features.of('train');
    const test = features.of('test');
    if (!train || !test) return;
    const knn = weightedKnn(train, trainLabels, test, dataset.test.labels, {
      k: config.knnK,
      temperature: config.knnTemperature,
      numClasses: dataset.classNames.length,
    });
    reporter.metric(step, epoch, 'knn_top1', knn.top1);
    reporter.metric(step, epoch, 'knn_top5', knn.top5);
    reporter.log('info', `epoch ${epoch}: kNN top-1 ${(100 * knn.top1).toFixed(2)}%`);
  }
}
