namespace Neutrino.Bench;

/// <summary>What the embeddings benchmark embeds, in the raw runs and through the API alike.</summary>
internal static class BenchSentences
{
    // Everyday sentences, about 17 tokens each on average, like the reference set.
    public static readonly string[] All =
    [
        "The cat sits on the mat and watches the birds outside the window.",
        "Stock markets fell sharply today after the central bank raised interest rates.",
        "I love reading books in the evening with a cup of tea.",
        "A dog barks at the mailman every single morning without fail.",
        "The weather will be sunny and warm for the rest of the week.",
        "Quantum computers use qubits that can be in several states at once.",
        "She plays the violin beautifully in the city orchestra.",
        "Traffic was heavy on the highway because of an accident near the bridge.",
        "Please send me the quarterly report before Friday afternoon.",
        "The new phone has a better camera and a longer battery life.",
        "Children were playing football in the park after school.",
        "How do I reset my password if I no longer have access to my email?",
        "The restaurant on the corner serves the best pizza in town.",
        "Scientists discovered a new species of frog in the rainforest.",
        "Our flight was delayed by three hours due to the storm.",
        "He fixed the bicycle tire with a patch and some glue.",
    ];
}
