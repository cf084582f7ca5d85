/**
 * Input preprocessors that let a plain DL4J network train on view pairs: views stacked
 * on channels become a doubled batch on the way in, and pairs are regrouped before the loss, so
 * DL4J's own batching (which splits by example) never separates an image's views.
 */
package sparkssl.model.layers;
