/**
 * A distillation job in the job worker (runner/job-worker.ts): the teacher is the run's fine-tune network
 * (eval/fine-tune.ts fineTuneNetwork, on the instance the worker built) with the weights and classifier its
 * fine-tune job kept (runner/fine-tuned-model.ts); the student is a fresh network of the run's backbone at
 * the asked width (eval/distill.ts), trained on the training images against the teacher's predictions.
 */
import type { Dataset } from '../../data';
import { createStudent, distill } from '../../eval/distill';
import { fineTuneNetwork, fineTuneSubset, LinearClassifier } from '../../eval/fine-tune';
import type { RunConfig } from '../../methods';
import type { MethodInstance } from '../../methods/method';
import { loadFineTunedModel } from '../fine-tuned-model';
import type { DistillTask, JobWorkerMessage } from '../job-protocol';

type Progress = (fraction: number, message: string) => void;

/**
 * Loads the teacher into `instance`'s fine-tune network and draws the labelled share (when the label weight
 * asks for it); then, once `ready` has been told the input holds up, distils and reports the result.
 */
export async function runDistill(
  instance: MethodInstance,
  dataset: Dataset,
  config: Pick<RunConfig, 'backbone'>,
  task: DistillTask,
  ready: (labelledImages: number) => void,
  progress: Progress,
): Promise<JobWorkerMessage> {
  const network = fineTuneNetwork(instance);
  const teacher = {
    network,
    classifier: new LinearClassifier(network.outputDim, dataset.classNames.length),
  };
  try {
    loadFineTunedModel(task.teacherFile, teacher.network, teacher.classifier);
    const labelled = task.labelWeight < 1 ? fineTuneSubset(dataset, task.labelPercent) : undefined;
    ready(labelled?.indices.length ?? 0);
    const student = createStudent(config.backbone, task.studentWidth, dataset);
    try {
      const r = await distill(teacher, student, dataset, {
        temperature: task.temperature,
        labelWeight: task.labelWeight,
        epochs: task.epochs,
        ...(labelled ? { labelled } : {}),
        onProgress: (f, message) => progress(0.1 + 0.9 * f, message),
      });
      return {
        type: 'finished',
        result: {
          top1: r.top1,
          top5: r.top5,
          teacherTop1: r.teacherTop1,
          agreement: r.agreement,
          studentWidth: task.studentWidth,
          images: r.images,
          labelledImages: r.labelledImages,
          epochs: r.epochs,
          seconds: r.seconds,
        },
      };
    } finally {
      student.network.dispose();
      student.classifier.dispose();
    }
  } finally {
    // The network is the instance's (disposed with it); the classifier is this job's.
    teacher.classifier.dispose();
  }
}
