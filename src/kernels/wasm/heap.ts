/**
 * A heap inside the WASM module's memory, managed from JS: first-fit free list with coalescing, 16-byte
 * aligned blocks. The memory has a fixed size (initial = maximum), so it never grows and typed-array
 * views on it are never detached. Untouched pages cost no RSS.
 *
 * Blocks handed out by `allocate` are returned when their typed array is garbage-collected
 * (FinalizationRegistry). A subarray does not keep its parent alive: hold on to the array you were
 * given (the library only uses heap memory for long-lived buffers: layer outputs, parameters, batches).
 */
import type { FloatArray } from '../types.ts';

const ALIGN = 16;
/**
 * Bytes at the end of the memory that are never allocated: kernels may read a vector's worth past the
 * end of a matrix (the partial last vector of a row) and must not fall off the memory.
 */
const END_SLACK = 64;

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  private readonly free: { start: number; size: number }[];
  private readonly sizes = new Map<number, number>();
  private readonly registry = new FinalizationRegistry<number>((ptr) => this.release(ptr));
  private inUse = 0;
  /** Every byte from here on has never been handed out (by alloc): still the zeros of the new memory. */
  private fresh: number;

  /** The memory's buffer: it never grows, so the object never changes (cached: `owns` is on every call). */
  private readonly heapBuffer: ArrayBufferLike;

  /** `memory`: a new one (all zeros), which this heap manages from `base` on. */
  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.heapBuffer = memory.buffer;
    const start = Math.ceil(base / ALIGN) * ALIGN;
    this.free = [{ start, size: memory.buffer.byteLength - END_SLACK - start }];
    this.fresh = start;
  }

  get buffer(): ArrayBuffer {
    return this.heapBuffer as ArrayBuffer;
  }

  /** Bytes currently allocated. */
  get bytesInUse(): number {
    return this.inUse;
  }

  /** True when `arr` is a view on this heap (so a kernel can take its address directly). */
  owns(arr: ArrayBufferView): boolean {
    return arr.buffer === this.heapBuffer;
  }

  /** A block of `bytes`, or -1 when the heap is full. Free it with `release`. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i];
      if (block.size < size) continue;
      const ptr = block.start;
      if (block.size === size) this.free.splice(i, 1);
      else {
        block.start += size;
        block.size -= size;
      }
      this.sizes.set(ptr, size);
      this.inUse += size;
      this.fresh = Math.max(this.fresh, ptr + size);
      return ptr;
    }
    return -1;
  }

  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    this.inUse -= size;
    // Insert in address order and merge with neighbours.
    let i = 0;
    while (i < this.free.length && this.free[i].start < ptr) i++;
    this.free.splice(i, 0, { start: ptr, size });
    const next = this.free[i + 1];
    if (next && ptr + size === next.start) {
      this.free[i].size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.start + prev.size === ptr) {
      prev.size += this.free[i].size;
      this.free.splice(i, 1);
    }
  }

  /** A zeroed typed array on the heap, freed when it is garbage-collected; undefined when full. */
  allocate(float32: boolean, length: number): FloatArray | undefined {
    return this.allocateKind(float32 ? 'float32' : 'float64', length) as FloatArray | undefined;
  }

  allocateKind(kind: 'float32' | 'float64' | 'uint8' | 'int32', length: number): FloatArray | Uint8Array | Int32Array | undefined {
    const width = kind === 'float64' ? 8 : kind === 'float32' || kind === 'int32' ? 4 : 1;
    const fresh = this.fresh;
    const ptr = this.alloc(length * width);
    if (ptr < 0) return undefined;
    const buffer = this.heapBuffer;
    const arr =
      kind === 'float64' ? new Float64Array(buffer, ptr, length)
      : kind === 'float32' ? new Float32Array(buffer, ptr, length)
      : kind === 'int32' ? new Int32Array(buffer, ptr, length)
      : new Uint8Array(buffer, ptr, length);
    // Only what was handed out before needs zeroing: the rest of a new memory is zeros already, and
    // writing them would touch its pages for nothing (the 55 MB of MNIST images, read in right after).
    if (ptr < fresh) arr.fill(0, 0, Math.min(length, (fresh - ptr) / width));
    this.registry.register(arr, ptr);
    return arr;
  }
}
