/**
 * `scratchnet export` — a model file the CLI wrote (or any params file ScratchNet reads) in another format:
 * the book's `.pkl` (its own `load_params` reads it), NumPy `.npz`, `.safetensors` (PyTorch), ONNX, or
 * ScratchNet's model JSON.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { formatOfPath, PARAMS_FORMATS, type ParamsFormat } from '../io/network-format.ts';
import { loadNetwork, saveNetwork } from '../io/network-file.ts';
import type { Network } from '../nets/network.ts';
import type { DType } from '../tensor/tensor.ts';
import { RunError, UsageError } from './errors.ts';
import { existingFile } from './options.ts';

const WHAT: Record<ParamsFormat, string> = {
  pkl: "the book's save_params layout: a pickled dict of NumPy arrays by the book's names (the book's load_params, pickle.load)",
  npz: 'NumPy arrays by name (np.load), with the network in scratchnet.json',
  safetensors: 'arrays by name with the network in __metadata__ (PyTorch, safetensors)',
  onnx: 'the inference graph, scores before softmax (ONNX Runtime)',
  json: "ScratchNet's model file",
};

interface ExportFlags {
  model: string;
  format?: ParamsFormat;
  out: string;
  onnxDtype: DType;
  uncompressed?: boolean;
}

/** Where `--out` may be written, or a usage error (before any work). */
function checkOut(out: string): void {
  let stat;
  try {
    stat = statSync(out);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory()) throw new UsageError(`--out ${out} is a directory; give the file to write (e.g. ${out.replace(/\/$/, '')}/model.onnx)`);
  const dir = dirname(out);
  let parent;
  try {
    parent = statSync(dir);
  } catch {
    parent = undefined;
  }
  if (parent !== undefined && !parent.isDirectory()) throw new UsageError(`--out ${out}: ${dir} is a file, not a directory`);
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a saved model in another format: the book\'s .pkl, NumPy .npz, .safetensors, ONNX or model JSON')
    .requiredOption('--model <file>', 'a model file ScratchNet wrote (model.json, params.json) or any params file it reads (.pkl, .npz, .safetensors)', existingFile)
    .requiredOption('--out <path>', 'the file to write (atomically)')
    .addOption(new Option('--format <format>', 'the format to write (default: from --out\'s extension)').choices([...PARAMS_FORMATS]))
    .addOption(new Option('--onnx-dtype <type>', 'number type of the ONNX graph').choices(['float32', 'float64']).default('float32'))
    .option('--uncompressed', '.npz: store the arrays without deflate (np.savez rather than np.savez_compressed)')
    .addHelpText(
      'after',
      `\nFormats:\n${PARAMS_FORMATS.map((f) => `  ${f.padEnd(12)} ${WHAT[f]}`).join('\n')}\n\nExamples:\n  $ scratchnet export --model runs/convnet/params.json --out params.pkl\n  $ scratchnet export --model runs/latest/model.json --format onnx --out model.onnx`,
    )
    .action(async (flags: ExportFlags) => {
      checkOut(flags.out);
      let format: ParamsFormat;
      try {
        format = flags.format ?? formatOfPath(flags.out, 'export');
      } catch {
        throw new UsageError(`--out ${flags.out}: cannot tell the format from its extension; give --format (${PARAMS_FORMATS.join(', ')}) or end --out with .pkl, .npz, .safetensors, .onnx or .json`);
      }
      let net: Network;
      try {
        net = loadNetwork(flags.model);
      } catch (e) {
        throw new UsageError(`--model ${(e as Error).message}`);
      }
      // The ONNX schema is loaded only for ONNX (it registers the exporter with io/network-format.ts).
      if (format === 'onnx') await import('../io/onnx.ts');
      try {
        saveNetwork(flags.out, net, { format, onnxDtype: flags.onnxDtype, compressed: !flags.uncompressed });
      } catch (e) {
        throw new RunError((e as Error).message);
      }
      const size = statSync(flags.out).size;
      const arrays = Object.keys(net.params).length + Object.keys(net.state).length;
      console.log(`wrote ${flags.out} (${format}: ${net.kind}, ${format === 'onnx' ? flags.onnxDtype : net.dtype}, ${arrays} arrays, ${size} bytes)`);
    });
}
