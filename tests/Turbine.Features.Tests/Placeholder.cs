namespace Turbine.Features.Tests;
