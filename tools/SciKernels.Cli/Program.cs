using SciKernels.Cli;

// scikernels <command> [options]: one small file per command under Commands/.
int code = CommandLine.Run(args, Console.Out, Console.Error);
return MpiLaunch.Finish(code, Console.Error);
