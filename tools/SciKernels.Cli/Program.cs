using SciKernels.Cli;

// scikernels <command> [options]: one small file per command under Commands/.
return CommandLine.Run(args, Console.Out, Console.Error);
