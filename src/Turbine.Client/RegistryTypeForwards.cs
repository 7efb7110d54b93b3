using System.Runtime.CompilerServices;
using Turbine.Client.Registry;

// The registry client lives in Turbine.Client.Registry.dll (so the server can serve from a registry without the
// inference client SDK); the SDK forwards its types so code built against Turbine.Client keeps working unchanged.
[assembly: TypeForwardedTo(typeof(ArtifactDownload))]
[assembly: TypeForwardedTo(typeof(ArtifactTar))]
[assembly: TypeForwardedTo(typeof(ArtifactUpload))]
[assembly: TypeForwardedTo(typeof(LineageQuery))]
[assembly: TypeForwardedTo(typeof(ModelSearch))]
[assembly: TypeForwardedTo(typeof(NewModelVersion))]
[assembly: TypeForwardedTo(typeof(NewRegisteredModel))]
[assembly: TypeForwardedTo(typeof(RegistryArtifact))]
[assembly: TypeForwardedTo(typeof(RegistryClient))]
[assembly: TypeForwardedTo(typeof(RegistryException))]
[assembly: TypeForwardedTo(typeof(RegistryLineage))]
[assembly: TypeForwardedTo(typeof(RegistryModel))]
[assembly: TypeForwardedTo(typeof(RegistryModelVersion))]
[assembly: TypeForwardedTo(typeof(RegistrySignature))]
[assembly: TypeForwardedTo(typeof(RegistryTensor))]
[assembly: TypeForwardedTo(typeof(RegistryVersionLineage))]
[assembly: TypeForwardedTo(typeof(TarExtractionLimits))]
