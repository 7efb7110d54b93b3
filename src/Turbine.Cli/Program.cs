Console.WriteLine("turbine");
