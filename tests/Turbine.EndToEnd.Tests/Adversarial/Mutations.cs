namespace Turbine.EndToEnd.Tests.Adversarial;

/// <summary>The fuzzers' mutations, driven by a seeded <see cref="Random"/> so a failing case is reproducible.</summary>
internal static class Mutations
{
    /// <summary>A copy of <paramref name="source"/> with <paramref name="count"/> random bits flipped.</summary>
    public static byte[] Flip(byte[] source, Random random, int count)
    {
        var copy = (byte[])source.Clone();
        for (var i = 0; i < count; i++)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }

        return copy;
    }

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
