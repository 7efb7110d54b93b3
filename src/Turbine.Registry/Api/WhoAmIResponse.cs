using Turbine.Registry.Domain;

namespace Turbine.Registry.Api;

/// <summary>Who a token is: its name, role and model pattern (never its secret); what other services ask before trusting it.</summary>
internal sealed record WhoAmIResponse(string Name, TokenRole Role, string Models);
