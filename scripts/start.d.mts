/** Whether `root`'s dist/ must be rebuilt: no stamp, no CLI, or a source or tsconfig newer than the stamp. */
export function needsBuild(root: string): boolean;
/** Runs tsc on tsconfig.build.json in `root`; on success stamps dist/ with the build's start time. Returns tsc's exit code. */
export function build(root: string): number;
