/* jpegenc.c - JPEG encoding to memory through libjpeg-turbo, with libjpeg's
 * error exits routed into an hm_status (nothing is printed). */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>

#include "transform.h"

typedef struct {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    unsigned char *mem; /* libjpeg updates it through its address as it grows */
    unsigned long len;
    char message[JMSG_LENGTH_MAX];
} encode_error;

static void on_error(j_common_ptr cinfo)
{
    encode_error *e = (encode_error *)cinfo->err;
    cinfo->err->format_message(cinfo, e->message);
    longjmp(e->jump, 1);
}

static void on_message(j_common_ptr cinfo) { (void)cinfo; }

/* Kept apart from the setjmp caller so no local of the caller changes
 * between setjmp and longjmp. */
static void encode_rows(struct jpeg_compress_struct *cinfo, const hm_image *src, int quality)
{
    cinfo->image_width = src->width;
    cinfo->image_height = src->height;
    cinfo->input_components = (int)src->channels;
    cinfo->in_color_space = src->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(cinfo);
    jpeg_set_quality(cinfo, quality, TRUE);
    jpeg_start_compress(cinfo, TRUE);
    size_t row = (size_t)src->width * src->channels;
    while (cinfo->next_scanline < cinfo->image_height) {
        JSAMPROW r = (JSAMPROW)(src->pixels + cinfo->next_scanline * row);
        jpeg_write_scanlines(cinfo, &r, 1);
    }
    jpeg_finish_compress(cinfo);
}

hm_status hm__jpeg_encode(const hm_image *src, int quality, uint8_t **data, size_t *size,
                          hm_error *err)
{
    struct jpeg_compress_struct cinfo;
    encode_error e;
    *data = NULL;
    *size = 0;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = on_error;
    e.mgr.output_message = on_message;
    e.message[0] = '\0';
    e.mem = NULL;
    e.len = 0;
    if (setjmp(e.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(e.mem);
        return hm__fail(err, HM_E_INTERNAL, "JPEG encoder: %s", e.message);
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &e.mem, &e.len);
    encode_rows(&cinfo, src, quality);
    jpeg_destroy_compress(&cinfo);
    *data = e.mem;
    *size = e.len;
    return HM_OK;
}
