Console.WriteLine("scikernels");
