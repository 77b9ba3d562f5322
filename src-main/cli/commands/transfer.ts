import { datasetIds } from '../../domain';
import { datasetFlags, datasetSpecFromFlags } from '../dataset-flags';
import { UsageError } from '../errors';
import { followJob } from '../follow-job';
import { openApi } from '../open-api';
import { positiveInteger } from '../positive-integer';
import { parseRunIdCommand } from '../run-id-command';

const help = `usage: contrastlab transfer RUN_ID --dataset NAME [--data-dir DIR] [--checkpoint ID] [--db FILE] [--json]

  Transfers a run's representation to another labelled dataset, as InstDisc, MoCo and SimCLR report it:
  the checkpoint's encoder, frozen, embeds the other dataset's images, which are read at the run's input
  size (resized and centre-cropped once into the dataset cache), with the run's channels (greyscale
  repeated in R, G and B for a colour run; colour reduced to its luma for a greyscale one) and normalised
  with the run's own mean and std, the inputs the network was trained on. The features are judged on that
  dataset's train/test splits by weighted kNN (the run's knnK and knnTemperature) and by the linear probe
  (the run's protocol, on at most its evalTrainSize training images). Prints both top-1s and the probe's
  top-5, and stores them as the run's metrics at the checkpoint's step under the dataset's keys:
  transfer_knn_top1_<dataset>, transfer_knn_top5_<dataset>, transfer_probe_top1_<dataset>,
  transfer_probe_top5_<dataset> (e.g. transfer_probe_top1_fashion_mnist).

  --dataset NAME         the other dataset: ${datasetIds.join(', ')}
  --data-dir DIR         folder of its files: cifar10 cifar-10-batches-bin, cifar100 cifar-100-binary,
                         stl10 stl10_binary, mnist and fashion-mnist the IDX files (Debian's
                         dataset-fashion-mnist: /usr/share/datasets/fashion-mnist), imagefolder a folder
                         with one subfolder of images per class (train/ and test/ if it has them)
  --train-size N         use only its first N training images
  --test-size N          use only its first N test images
  --coarse-labels        cifar100: the 20 coarse classes instead of the 100 fine ones
  --test-fraction F      imagefolder without train/ and test/: the fraction held out for testing (default 0.1)
  --checkpoint ID        which checkpoint of the run (default: the latest of a finished run)
  --db FILE              SQLite database (default: the per-user data folder, or $CONTRASTLAB_DB);
                         it must exist
  --json                 one JSON event per line on stdout (every job update)
`;

const percent = (v: number | undefined) => `${(100 * (v ?? NaN)).toFixed(2)}%`;

/** `transfer RUN_ID --dataset NAME`: a transfer job, waited for; exit code 0 when it completed. */
export async function transferCommand(argv: string[]): Promise<number> {
  // Every dataset flag but --image-size: the other dataset is read at the run's size.
  const { 'image-size': _imageSize, ...targetFlags } = datasetFlags;
  const parsed = parseRunIdCommand('transfer', argv, help, {
    ...targetFlags,
    checkpoint: { type: 'string' },
  });
  if (parsed === null) return 0;
  const { values, runId } = parsed;
  if (values.dataset === undefined) {
    throw new UsageError(`transfer needs --dataset (one of ${datasetIds.join(', ')})`);
  }
  const dataset = datasetSpecFromFlags(values, 'synthetic');
  const checkpointId =
    values.checkpoint === undefined ? undefined : positiveInteger('--checkpoint', values.checkpoint);

  const { api, close } = await openApi(values.db, { create: false });
  try {
    const { done, checkpoint } = await followJob(api, runId, values.json ?? false, () =>
      api.startTransfer(runId, {
        dataset,
        ...(checkpointId === undefined ? {} : { checkpointId }),
      }),
    );
    if (done.status !== 'completed' || !done.result) {
      process.stderr.write(`transfer of run ${runId} failed: ${done.error ?? 'unknown error'}\n`);
      return 1;
    }
    if (!values.json) {
      const r = done.result;
      process.stdout.write(
        `run ${runId}, checkpoint ${done.checkpointId} (step ${checkpoint?.step ?? '?'}) on ${dataset.id} ` +
          `(${r.trainImages} training / ${r.testImages} test images): kNN top-1 ${percent(r.knnTop1)}, ` +
          `linear probe top-1 ${percent(r.top1)}, top-5 ${percent(r.top5)}\n`,
      );
    }
    return 0;
  } finally {
    await close();
  }
}
